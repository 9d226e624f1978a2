"""Action providers of the embedded runtime."""

from gladier.runtime.providers.base import (
    ActionProvider,
    CallableProvider,
    ProviderHooks,
    action_status,
)

__all__ = ["ActionProvider", "CallableProvider", "ProviderHooks", "action_status"]
