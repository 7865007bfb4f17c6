"""The simulator: WeChat users played from a terminal (`dudao chat`) or a web page (`/sim`, demo only)."""
