"""The simulated browser: cookie jar, web storage, navigation, fetch and injected scripts."""
