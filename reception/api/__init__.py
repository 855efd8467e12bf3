"""The reception REST API (shared/API.md "Reception"): thin views over services and selectors."""
