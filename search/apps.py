from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = "Tìm kiếm"

    def ready(self):
        from registry.signals import document_changed
        from search.signal_handlers import index_on_change

        document_changed.connect(index_on_change, dispatch_uid="search.index_on_change")
