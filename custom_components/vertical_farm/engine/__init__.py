"""Pure agronomy engines: functions over frozen dataclasses, no Home Assistant, no I/O."""
