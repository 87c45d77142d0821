//! Walking a function's ops in program order without recursion, for the passes.
use crate::ir::{Block, Body, Op, Region};

/// Every op under `roots` (nested regions included), in program order: an op comes before the
/// ops of its regions, which come before the op that follows it.
pub fn preorder(body: &Body, roots: &[Region]) -> Vec<Op> {
    let mut out = Vec::with_capacity(body.num_ops());
    let mut w = Walker::new(roots);
    while let Some(e) = w.next(body) {
        if let Event::Enter(op) = e {
            out.push(op);
        }
    }
    out
}

/// A step of a walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// An op, before the ops of its regions.
    Enter(Op),
    /// A block starts; its ops follow.
    EnterBlock(Block),
    /// A block's ops are done.
    ExitBlock(Block),
    /// An op with regions, after the ops of all its regions (not sent for ops without regions).
    Exit(Op),
}

struct Frame {
    owner: Option<Op>,
    regions: Vec<Region>,
    next_region: usize,
    block: Option<Block>,
    /// The block to enter after the current one.
    pending: Option<Block>,
    next_op: Option<Op>,
}

/// A walk in program order with explicit frames, so nesting depth costs heap, not stack. The IR
/// may be read between steps but must not be changed under the walker.
pub struct Walker {
    stack: Vec<Frame>,
}

impl Walker {
    pub fn new(roots: &[Region]) -> Self {
        Walker { stack: vec![Frame { owner: None, regions: roots.to_vec(), next_region: 0, block: None, pending: None, next_op: None }] }
    }

    pub fn next(&mut self, body: &Body) -> Option<Event> {
        loop {
            let f = self.stack.last_mut()?;
            if let Some(op) = f.next_op {
                f.next_op = body.next_op(op);
                if !body.regions(op).is_empty() && body.inner_body(op).is_none() {
                    let regions = body.regions(op).to_vec();
                    self.stack.push(Frame { owner: Some(op), regions, next_region: 0, block: None, pending: None, next_op: None });
                }
                return Some(Event::Enter(op));
            }
            if let Some(b) = f.block {
                // The block's ops are done; the region's next block (if any) starts next.
                f.block = None;
                f.pending = body.next_block(b);
                return Some(Event::ExitBlock(b));
            }
            if let Some(nb) = f.pending.take() {
                f.block = Some(nb);
                f.next_op = body.first_op(nb);
                return Some(Event::EnterBlock(nb));
            }
            if f.next_region < f.regions.len() {
                let r = f.regions[f.next_region];
                f.next_region += 1;
                if let Some(b) = body.first_block(r) {
                    f.block = Some(b);
                    f.next_op = body.first_op(b);
                    return Some(Event::EnterBlock(b));
                }
                continue;
            }
            let owner = f.owner;
            self.stack.pop();
            if let Some(op) = owner {
                return Some(Event::Exit(op));
            }
        }
    }
}
