"""Pieces the reporting flows share: the statistics-side API base and query helpers, the page base,
server-drawn charts."""
