"""One layout per official document: each builds a neutral `Document` from the domain.

Forms are Chinese whatever the language of the person downloading them, so layouts are built
under `translation.override("zh-hans")`, and their fixed texts are the forms' own words."""
