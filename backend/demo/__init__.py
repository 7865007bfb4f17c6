"""The demo county: its master data (`county`) and three months of activity played through the services (`activity`)."""
