"""The reception REST API (docs/api.md "Reception"): thin views over services and selectors."""
