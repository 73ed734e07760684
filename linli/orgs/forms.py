"""Page forms: field-level checks and choices limited to the actor's sight.

Model validation runs once, in the services (so pages, API and admin share it); the forms therefore
skip ModelForm's own model validation and show the service's errors next to the fields instead.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from linli.core.picker import PickMany, PickOne
from linli.core.scoping import scope_for
from linli.orgs import selectors
from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.people import pickers as people_pickers
from linli.places import pickers as place_pickers

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActorForm(forms.ModelForm):
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE

    def limit(self, name: str, queryset) -> None:
        """Offer only rows in the actor's sight, plus the record's current value (kept, even if out of sight)."""
        current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
        if current is not None:
            ordering = queryset.query.order_by
            queryset = (queryset.model._default_manager.filter(Q(pk__in=queryset.values("pk")) | Q(pk=current))
                        .order_by(*ordering))
        self.fields[name].queryset = queryset

    def _post_clean(self):
        # The service validates against the model (and against the actor's sight): once, not twice.
        pass

    def add_service_errors(self, exc: ValidationError) -> None:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for name, messages in errors.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


class PartyOrgForm(ActorForm):
    # A street's committee may cover hundreds of compounds: searched, never listed.
    compounds = PickMany(place_pickers.COMPOUNDS, label="覆盖小区", required=False)

    class Meta:
        model = PartyOrg
        fields = ["name", "level", "parent", "community", "formation", "compounds", "property_company", "founded_on"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.limit("community", selectors.communities_visible_to(actor))
        self.limit("parent", selectors.partyorgs_visible_to(actor).exclude(level=PartyOrg.Level.LEAD_HOUSEHOLD)
                   .exclude(pk=self.instance.pk).order_by("community__code", "level", "name"))
        self.limit("compounds", selectors.compounds_visible_to(actor))
        self.limit("property_company", selectors.propertycompanies_visible_to(actor).order_by("name"))
        if self.instance.pk:
            # The level is fixed once created (the tree below depends on it).
            del self.fields["level"]


class SelfOrgForm(ActorForm):
    class Meta:
        model = SelfOrg
        fields = ["kind", "compound", "name", "elected_on", "term_start", "term_end"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.limit("compound", selectors.compounds_visible_to(actor))


class PropertyCompanyForm(ActorForm):
    """A company, and when new, the first compound it serves (which is what puts it in sight)."""

    service_compound = forms.ModelChoiceField(label="服务小区", queryset=None, required=False)
    service_mode = forms.ChoiceField(label="服务方式", choices=[("", "---------"), *PropertyService.Mode.choices],
                                     required=False)
    service_start = forms.DateField(label="服务开始日期", required=False)

    class Meta:
        model = PropertyCompany
        fields = ["name", "credit_code", "party_org", "has_party_org"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.limit("party_org", selectors.partyorgs_visible_to(actor).order_by("name"))
        if self.instance.pk:
            for name in ("service_compound", "service_mode", "service_start"):
                del self.fields[name]
            return
        self.limit("service_compound", selectors.compounds_visible_to(actor))
        self.fields["service_compound"].help_text = "新登记的企业须同时登记其服务的第一个小区。"
        # Someone who sees everything may register a company before it serves anyone.
        required = not scope_for(actor).everything
        for name in ("service_compound", "service_mode", "service_start"):
            self.fields[name].required = required

    def clean(self):
        cleaned = super().clean()
        if "service_compound" in self.fields and cleaned.get("service_compound"):
            for name in ("service_mode", "service_start"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "登记服务小区时此项必填。")
        return cleaned

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("service_")}

    def service_data(self) -> dict | None:
        if not self.cleaned_data.get("service_compound"):
            return None
        return {"compound": self.cleaned_data["service_compound"], "mode": self.cleaned_data["service_mode"],
                "start": self.cleaned_data["service_start"]}


class PropertyServiceForm(ActorForm):
    class Meta:
        model = PropertyService
        fields = ["compound", "mode", "company", "provider_name", "start", "end", "fee_rate", "collection_rate"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.limit("compound", selectors.compounds_visible_to(actor))
        self.limit("company", selectors.propertycompanies_visible_to(actor).order_by("name"))


class PartnerForm(ActorForm):
    class Meta:
        model = PartnerUnit
        fields = ["name", "kind", "community", "offer", "agreement_on"]
        widgets = {"offer": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.limit("community", selectors.communities_visible_to(actor, via_compounds=False))


class PositionForm(ActorForm):
    """A position in one organisation, which the page fixes (it is not a choice on the form)."""

    resident = PickOne(people_pickers.RESIDENTS, label="人员")

    class Meta:
        model = Position
        fields = ["resident", "role", "start", "end"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        # Names repeat: the picker's options and chips show each person's home beside the name.
        self.fields["resident"].queryset = selectors.residents_visible_to(actor)
