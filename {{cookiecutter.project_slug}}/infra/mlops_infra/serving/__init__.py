"""Blue/green model serving on Kubernetes: the ``KubernetesServing`` component and its parts.

``args`` (inputs and their rules), ``values`` (image references and resource quantities), ``pod``,
``specs`` and ``network`` (pure spec builders) and ``component`` (the resources).
"""
