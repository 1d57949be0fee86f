"""The gettext catalogs (.po) of zh_Hant, zh_Hans and en, shipped with the package so that an
installed desk (a wheel, not only this checkout) speaks every language."""
