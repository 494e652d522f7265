#!/usr/bin/python3
"""Measures sleep runs against the targets of SCIENCE.md: ripples, slow
oscillation, replay, compression, downscaling, and the replay counts pooled
over several runs (what it measures: python/hebbsleep/sleep_report.py).

    /usr/bin/python3 scripts/sleep_report.py runs/linear_track.h5 [MORE.h5 ...]
"""
import os
import sys

# The package of this checkout, installed or not.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
from hebbsleep import sleep_report  # noqa: E402

if __name__ == "__main__":
    sleep_report.main(sys.argv[1:])
