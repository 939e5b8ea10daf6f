"""The AKS cluster: the ``AksCluster`` component, its Args and pure credential helpers."""
