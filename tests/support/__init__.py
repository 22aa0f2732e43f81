"""Test support code shared by several test modules (servers, emulators, fixtures' helpers)."""
