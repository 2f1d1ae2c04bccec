"""Tests for the bundled library and its loader."""
