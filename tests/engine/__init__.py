"""Tests of the pure agronomy engines."""
