//! A thin async driver: runs the [`Reader`] state machine over a [`Transport`].
//! It needs no runtime; any executor can poll it.

use super::{Progress, ReadOutcome, Reader, ReaderError, Step};
use crate::apdu::{Transport, TransportError};

/// Why a driven read ended without an outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriveError {
    #[error(transparent)]
    Reader(#[from] ReaderError),
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
}

/// A transport that can wait for the tag to come back after it was lost
/// (the virtual chip does; a phone shell resumes through the flow instead).
#[allow(async_fn_in_trait)]
pub trait Reconnect {
    /// Waits until the chip is in the field again and powered up afresh.
    async fn reconnect(&mut self) -> Result<(), TransportError>;
}

/// Runs a read to completion; a lost tag ends it with [`TransportError::TagLost`]
/// and the reader keeps its progress for [`Reader::resume`].
pub async fn run<T: Transport>(
    reader: &mut Reader,
    transport: &mut T,
    mut on_progress: impl FnMut(Progress),
) -> Result<ReadOutcome, DriveError> {
    reader.set_limits(transport.limits());
    let step = reader.start()?;
    drive(reader, transport, step, &mut on_progress).await
}

/// Continues a read that ended with [`TransportError::TagLost`] once the tag
/// is back (a phone shell calls this after the flow's `Continue`): access
/// control is re-established and reading goes on from the last offset.
pub async fn resume<T: Transport>(
    reader: &mut Reader,
    transport: &mut T,
    mut on_progress: impl FnMut(Progress),
) -> Result<ReadOutcome, DriveError> {
    let step = reader.resume()?;
    drive(reader, transport, step, &mut on_progress).await
}

/// Like [`run`], but after a lost tag waits for the tag and resumes.
pub async fn run_with_resume<T: Transport + Reconnect>(
    reader: &mut Reader,
    transport: &mut T,
    mut on_progress: impl FnMut(Progress),
) -> Result<ReadOutcome, DriveError> {
    reader.set_limits(transport.limits());
    let mut step = reader.start()?;
    loop {
        match drive(reader, transport, step, &mut on_progress).await {
            Err(DriveError::Transport(TransportError::TagLost)) => {
                transport.reconnect().await?;
                step = reader.resume()?;
            }
            other => return other,
        }
    }
}

async fn drive<T: Transport>(
    reader: &mut Reader,
    transport: &mut T,
    mut step: Step,
    on_progress: &mut impl FnMut(Progress),
) -> Result<ReadOutcome, DriveError> {
    loop {
        match step {
            Step::Done(outcome) => return Ok(*outcome),
            Step::Transmit(apdu) => {
                let answer = transport.transceive(&apdu).await?;
                step = reader.on_response(&answer)?;
                on_progress(reader.progress());
            }
        }
    }
}
