"""The catastrophe watch's thresholds of one target, as the vital-signs panel edits them."""

from __future__ import annotations

from typing import Any

from django import forms

from audits.engine.vitals import Thresholds


class ThresholdsForm(forms.Form):
    """One field per threshold; the detectors' own check (``Thresholds.problems``) has the last
    word, so the form and a stored setting can never disagree about what is valid."""

    tables_recreated_fraction = forms.FloatField(
        label="Tables recreated (share)", min_value=0.01, max_value=1.0,
        help_text="Share of the tables recreated or dropped that counts as a reset (0.01-1).")
    tables_recreated_minimum = forms.IntegerField(
        label="Tables recreated (at least)", min_value=1,
        help_text="…and at least this many tables.")
    rows_gone_fraction = forms.FloatField(
        label="Rows gone (share)", min_value=0.01, max_value=1.0,
        help_text="Share of the rows gone that counts as a wipe (0.01-1).")
    rows_table_minimum = forms.IntegerField(
        label="Rows per table (at least)", min_value=1,
        help_text="Only tables that held at least this many rows count.")
    rows_total_minimum = forms.IntegerField(
        label="Rows together (at least)", min_value=1,
        help_text="…and that held at least this many rows together.")
    sequence_minimum = forms.IntegerField(
        label="Sequence reset (past)", min_value=1,
        help_text="A sequence counts as reset when it had reached this value and went back.")

    @classmethod
    def for_limits(cls, limits: Thresholds, data: Any = None) -> ThresholdsForm:
        return cls(data, initial=limits.to_plain(), prefix="thresholds")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for problem in Thresholds.from_plain(cleaned).problems():
                self.add_error(None, problem)
        return cleaned

    def limits(self) -> Thresholds:
        return Thresholds.from_plain(self.cleaned_data)
