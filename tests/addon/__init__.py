"""Tests of the planner add-on."""
