"""Tests of the integration through a real Home Assistant."""
