"""Reception workflow models (tenant schema)."""
