"""Releases readers download, and the validators run on built outputs."""
