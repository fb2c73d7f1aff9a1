"""The web shell: sign-in, organization switcher, navigation, settings pages."""
