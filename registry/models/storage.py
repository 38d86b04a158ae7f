from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.constants import LEVEL_RANK, Level, StorageKind


class StorageLocation(models.Model):
    """A physical place: store → room → cabinet/safe → shelf → box/dossier (domain.md §6)."""

    code = models.CharField(_("mã vị trí"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=StorageKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("thuộc"), null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("vị trí lưu trữ")
        verbose_name_plural = _("vị trí lưu trữ")
        ordering = ["code"]

    def __str__(self):
        return self.path

    @property
    def path(self) -> str:
        parts, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.name)
            node = node.parent
        return " › ".join(reversed(parts))


class Dossier(models.Model):
    """A hồ sơ: a file of documents kept together; its cover carries the highest level inside."""

    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    location = models.ForeignKey(
        StorageLocation, verbose_name=_("vị trí"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.title}"

    @property
    def level(self) -> str:
        """The highest level of what the dossier holds (domain.md §1)."""
        levels = list(self.documents.values_list("level", flat=True))
        return max(levels, key=lambda lv: LEVEL_RANK[lv]) if levels else Level.THUONG
