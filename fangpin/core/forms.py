"""Bootstrap classes on every widget, so templates stay plain."""

from __future__ import annotations

from typing import Any

from django import forms


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                pass
            else:
                widget.attrs.setdefault("class", "form-control")

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The declared choice field `name`, typed so that `__init__` can set its choices."""
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"{type(self).__name__}.{name} is not a choice field")
        return field

    def model_choice_field(self, name: str) -> forms.ModelChoiceField[Any]:
        """The declared model choice field `name`, typed so that `__init__` can narrow its queryset."""
        field = self.fields[name]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError(f"{type(self).__name__}.{name} is not a model choice field")
        return field

    def add_field_errors(self, field_errors: dict[str, str]) -> None:
        """Attach a service's `{field: message}` to the fields (or the form)."""
        for name, message in field_errors.items():
            self.add_error(name if name in self.fields else None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
