//! Logs whose entries carry the epoch they were appended in, and the rules that let a follower
//! find where its log parts from its leader's: KIP-101's end offset for an epoch, which KIP-595
//! folds into the fetch. Partition logs in both modes and KRaft's metadata log follow them.

use super::partition::Record;

/// Anything appended in an epoch: the entries of a log.
pub trait Epoched {
    /// The epoch it was appended in.
    fn epoch(&self) -> u64;
}

impl Epoched for Record {
    fn epoch(&self) -> u64 {
        self.epoch
    }
}

/// The largest epoch at most `epoch` in `log` and the offset where it ends (the first entry of a
/// later epoch): what Kafka's `log.endOffsetForEpoch` answers, `(0, 0)` when there is none.
pub fn end_for_epoch<T: Epoched>(log: &[T], epoch: u64) -> (u64, u64) {
    // Epochs never decrease along a log, so the last entry of an epoch at most `epoch` ends it.
    match log.iter().rposition(|e| e.epoch() <= epoch) {
        Some(i) => (log[i].epoch(), i as u64 + 1),
        None => (0, 0),
    }
}

/// The leader's check of a fetch at `offset` whose previous entry has `last_epoch`
/// (`KafkaRaftClient.handleFetchRequest`, the same in `Partition.fetchRecords`): `None` when the
/// logs agree up to `offset`, else the diverging epoch and its end offset.
pub fn diverging<T: Epoched>(log: &[T], offset: u64, last_epoch: u64) -> Option<(u64, u64)> {
    if offset == 0 {
        return None;
    }
    let (epoch, end) = end_for_epoch(log, last_epoch);
    (epoch != last_epoch || end < offset).then_some((epoch, end))
}

/// Where a follower truncates when the leader answers with a diverging `epoch` ending at
/// `end_offset`: the smaller of the leader's end for that epoch and its own
/// (`truncateToEndOffsetOfLargestEpochLessThan`; a second round settles an older divergence).
pub fn truncation_point<T: Epoched>(log: &[T], epoch: u64, end_offset: u64) -> u64 {
    end_for_epoch(log, epoch).1.min(end_offset).min(log.len() as u64)
}

/// The last entry's epoch, 0 for an empty log.
pub fn last_epoch<T: Epoched>(log: &[T]) -> u64 {
    log.last().map_or(0, Epoched::epoch)
}
