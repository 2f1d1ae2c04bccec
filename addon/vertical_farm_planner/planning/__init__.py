"""Succession and rack-space planning: pure functions over plain data.

`model` turns a checked request into a `Problem`; `schedule` holds plantings
and enforces the hard constraints; `solver` is the production algorithm
(greedy construction plus local improvement); `exact` is the reference
solver for tiny instances; `report` turns a schedule into the API's answer.
Nothing here does I/O.
"""
