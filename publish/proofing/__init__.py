"""Proofreading: lint rules, spelling, the proof kit and the live preview."""
