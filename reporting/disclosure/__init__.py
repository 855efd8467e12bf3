"""Disclosure (公开): the year's public figures and the chronicle (大事记)."""
