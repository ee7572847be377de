//! mock-sts: a local look-alike of Microsoft Entra ID's token service.
