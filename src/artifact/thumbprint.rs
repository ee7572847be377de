//! Every thumbprint form users meet for one certificate or key (shared with mock-sts).

pub(crate) use keyprobe_core::thumbprint::CertThumbprints;
