"""Forms render with NL Design System classes; errors show next to the field and in a summary."""

from django import forms

from .validators import NoControlCharacters

_WIDGET_CLASSES = {
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.SelectMultiple: "utrecht-select utrecht-select--html-select",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.RadioSelect: "utrecht-radio-button",
    forms.ClearableFileInput: "utrecht-textbox utrecht-textbox--html-input",
    forms.FileInput: "utrecht-textbox utrecht-textbox--html-input",
}


class UtrechtFormMixin:
    """Adds the NL Design System classes and ``aria-describedby``/``aria-invalid`` to every widget, and
    refuses control characters in every text field (tabs and line breaks only in a textarea)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators = [*field.validators, NoControlCharacters(multiline=multiline)]
            widget = field.widget
            css = next((c for t, c in _WIDGET_CLASSES.items() if isinstance(widget, t)), None)
            widget.attrs["class"] = css or "utrecht-textbox utrecht-textbox--html-input"
            described = []
            if field.help_text:
                described.append(f"id_{self.add_prefix(name)}_help")
            if self.is_bound and name in self.errors:
                described.append(f"id_{self.add_prefix(name)}_error")
                widget.attrs["aria-invalid"] = "true"
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)
