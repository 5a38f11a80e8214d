"""Offline evaluation of the assistant: datasets, runner, report and regression gate."""
