"""Shared test setup.

Home Assistant fixtures are only pulled in by the integration tests
(tests/integration/conftest.py); engine, library and add-on tests run without
a hass instance.
"""
