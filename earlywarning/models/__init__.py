"""Early-warning models, one module per concept; import them here so Django finds them."""
