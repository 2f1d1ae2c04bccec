"""Tests for Vertical Farm."""
