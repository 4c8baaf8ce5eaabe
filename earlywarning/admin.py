"""Admin registrations live beside their concept; importing them here registers them."""
