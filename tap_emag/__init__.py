"""tap-emag: Singer tap for the eMAG Marketplace API."""
