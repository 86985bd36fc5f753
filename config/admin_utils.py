from django.contrib import admin

from config.pagination import EstimatedCountPaginator


class ReadOnlyAdmin(admin.ModelAdmin):
    """For audit records (history, notifications, approvals, payments): listed
    and viewed in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LargeTableAdmin(admin.ModelAdmin):
    """For tables that reach millions of rows (complaints and what each case
    accumulates): the change list never counts, sorts or groups the whole table.

    - the count is estimated or capped (``EstimatedCountPaginator``), and not
      counted a second time without the filters;
    - newest first by primary key (its index); a column sorts only when
      ``sortable_by`` names it, and only indexed columns may be named;
    - no facet counts (one GROUP BY per filter) and no date hierarchy (a
      DISTINCT over the table to list the years);
    - filters offer fixed choices (``choices_filter``), never Django's default
      for a field without choices: a SELECT DISTINCT over the table.
    Foreign keys of their forms are raw ids or autocomplete, like everywhere.
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # 50 rows a page: rendering the rows is most of a page's time (bench/RESULTS.md).
    list_per_page = 50
    ordering = ["-pk"]
    sortable_by = ()


def choices_filter(field: str, title, choices) -> type[admin.SimpleListFilter]:
    """A list filter on ``field`` offering ``choices`` ([(value, label)], or a
    callable returning them) instead of every distinct value in the table."""

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(choices() if callable(choices) else choices)

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    ChoicesFilter.title = title
    return ChoicesFilter
