//! What a read does: the access policy and the reader's configuration.

use super::ReadStrategy;
use crate::apdu::TransportLimits;
use crate::bac::AccessKey;

/// Which access control to use. No policy downgrades silently: BAC after a
/// failed PACE only when [`AccessPolicy::AutoWithBacFallback`] says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessPolicy {
    /// PACE when EF.CardAccess offers it; BAC only when the chip offers no
    /// PACE at all. A failed PACE, or PACE offered only with parameters this
    /// reader does not implement, ends the read.
    Auto,
    /// Like [`AccessPolicy::Auto`], but BAC is tried after PACE failed or
    /// when no offered PACE suite is supported (ICAO 9303-11, 4.2 allows it;
    /// it gives up PACE's protection against offline password guessing).
    AutoWithBacFallback,
    PaceOnly,
    BacOnly,
}

/// What to read and how.
#[derive(Clone)]
pub struct ReaderConfig {
    pub key: AccessKey,
    pub limits: TransportLimits,
    pub access: AccessPolicy,
    pub strategy: ReadStrategy,
    /// Files to read; `None` reads EF.COM and then every readable data group it lists, and EF.SOD.
    pub files: Option<Vec<u16>>,
    pub chip_authentication: bool,
    pub active_authentication: bool,
    /// The challenge active authentication signs: the verifier's (the server's
    /// single-use 8 bytes), so the signature proves the chip to it. `None`
    /// draws a random one, which proves the chip to this reader only.
    pub aa_challenge: Option<[u8; 8]>,
}

impl core::fmt::Debug for ReaderConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReaderConfig")
            .field("limits", &self.limits)
            .field("access", &self.access)
            .field("strategy", &self.strategy)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl ReaderConfig {
    pub fn new(key: AccessKey) -> Self {
        Self {
            key,
            limits: TransportLimits::default(),
            access: AccessPolicy::Auto,
            strategy: ReadStrategy::Adaptive,
            files: None,
            chip_authentication: true,
            active_authentication: true,
            aa_challenge: None,
        }
    }
}
