from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Grant(models.Model):
    """A need-to-know grant: lets one person read one document, or every document of one dossier, until a date.

    Required on top of clearance for ``toi_mat`` and ``tuyet_mat`` (domain.md §1).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="grants", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "registry.Document", null=True, blank=True, related_name="grants", on_delete=models.CASCADE
    )
    dossier = models.ForeignKey(
        "registry.Dossier", null=True, blank=True, related_name="grants", on_delete=models.CASCADE
    )
    valid_until = models.DateField(_("hiệu lực đến"))
    reason = models.TextField(_("lý do"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="grants_given", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quyền tiếp cận")
        verbose_name_plural = _("quyền tiếp cận")
        constraints = [
            models.CheckConstraint(
                condition=(Q(document__isnull=False, dossier__isnull=True) | Q(document__isnull=True, dossier__isnull=False)),
                name="grant_document_xor_dossier",
            )
        ]

    def __str__(self):
        target = self.document or self.dossier
        return f"{self.user} → {target} ({self.valid_until})"
