"""The private network perimeter: ``PrivateNetwork``, ``PrivateLinkEndpoint`` and their Args."""
