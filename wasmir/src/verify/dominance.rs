//! Dominator trees of multi-block regions (Cooper, Harvey and Kennedy, "A Simple, Fast
//! Dominance Algorithm"), with pre/post numbering for O(1) queries. Iterative throughout.
//!
//! Blocks are renumbered densely per region, so the work and memory for a region are linear in
//! that region's size, however many blocks the rest of the body holds.
use crate::ir::{Block, Body, Region};
use rustc_hash::FxHashMap;

const NONE: u32 = u32::MAX;

pub struct DomTree {
    /// Dense index of each block of the region, in layout order.
    index: FxHashMap<Block, u32>,
    /// Pre-order and post-order numbers in the dominator tree, by dense index; `NONE` for an
    /// unreachable block.
    pre: Vec<u32>,
    post: Vec<u32>,
    /// The blocks by dense index.
    blocks: Vec<Block>,
    /// Dense indices of the reachable blocks in reverse post-order.
    rpo: Vec<u32>,
    /// Immediate dominator by dense index; `NONE` for the entry and unreachable blocks.
    idom: Vec<u32>,
}

impl DomTree {
    pub fn compute(body: &Body, r: Region) -> DomTree {
        let blocks: Vec<Block> = body.region_blocks(r).collect();
        let n = blocks.len();
        let index: FxHashMap<Block, u32> = blocks.iter().enumerate().map(|(i, &b)| (b, i as u32)).collect();
        let mut tree = DomTree { index, pre: vec![NONE; n], post: vec![NONE; n], blocks: blocks.clone(), rpo: Vec::new(), idom: vec![NONE; n] };
        if n == 0 {
            return tree;
        }
        // Successor lists in CSR form, restricted to the region.
        let mut succ_start = Vec::with_capacity(n + 1);
        let mut succs: Vec<u32> = Vec::new();
        for &b in &blocks {
            succ_start.push(succs.len() as u32);
            if let Some(t) = body.last_op(b) {
                for &s in body.successors(t) {
                    if let Some(&j) = tree.index.get(&body.succ_block(s)) {
                        succs.push(j);
                    }
                }
            }
        }
        succ_start.push(succs.len() as u32);
        let out = |i: u32| &succs[succ_start[i as usize] as usize..succ_start[i as usize + 1] as usize];

        // Reverse post-order from the entry by an explicit DFS.
        let mut visited = vec![false; n];
        let mut postorder: Vec<u32> = Vec::with_capacity(n);
        let mut stack: Vec<(u32, u32)> = vec![(0, 0)];
        visited[0] = true;
        while let Some(&mut (b, ref mut next)) = stack.last_mut() {
            let edges = out(b);
            if let Some(&s) = edges.get(*next as usize) {
                *next += 1;
                if !visited[s as usize] {
                    visited[s as usize] = true;
                    stack.push((s, 0));
                }
            } else {
                postorder.push(b);
                stack.pop();
            }
        }
        let rpo: Vec<u32> = postorder.iter().rev().copied().collect();
        let mut rpo_num = vec![NONE; n];
        for (i, &b) in rpo.iter().enumerate() {
            rpo_num[b as usize] = i as u32;
        }
        // Predecessors (by RPO number) of each reachable block.
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); rpo.len()];
        for (i, &b) in rpo.iter().enumerate() {
            for &s in out(b) {
                preds[rpo_num[s as usize] as usize].push(i as u32);
            }
        }
        // idom by RPO number.
        let mut idom = vec![NONE; rpo.len()];
        idom[0] = 0;
        let mut changed = true;
        while changed {
            changed = false;
            for b in 1..rpo.len() {
                let mut new = NONE;
                for &p in &preds[b] {
                    if idom[p as usize] == NONE {
                        continue;
                    }
                    new = if new == NONE { p } else { intersect(&idom, new, p) };
                }
                if new != NONE && idom[b] != new {
                    idom[b] = new;
                    changed = true;
                }
            }
        }
        // Children lists, then pre/post numbering of the tree.
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); rpo.len()];
        for (b, &d) in idom.iter().enumerate().skip(1) {
            if d != NONE {
                children[d as usize].push(b as u32);
            }
        }
        for (b, &d) in idom.iter().enumerate().skip(1) {
            if d != NONE {
                tree.idom[rpo[b] as usize] = rpo[d as usize];
            }
        }
        let (mut pre_c, mut post_c) = (0u32, 0u32);
        let mut st: Vec<(u32, usize)> = vec![(0, 0)];
        tree.pre[rpo[0] as usize] = pre_c;
        pre_c += 1;
        while let Some((node, i)) = st.last_mut() {
            if let Some(&c) = children[*node as usize].get(*i) {
                *i += 1;
                tree.pre[rpo[c as usize] as usize] = pre_c;
                pre_c += 1;
                st.push((c, 0));
            } else {
                tree.post[rpo[*node as usize] as usize] = post_c;
                post_c += 1;
                st.pop();
            }
        }
        tree.rpo = rpo;
        tree
    }

    /// The reachable blocks in reverse post-order (the entry first).
    pub fn reverse_postorder(&self) -> impl ExactSizeIterator<Item = Block> + '_ {
        self.rpo.iter().map(|&i| self.blocks[i as usize])
    }

    /// The immediate dominator of `b`; `None` for the entry and unreachable blocks.
    pub fn idom(&self, b: Block) -> Option<Block> {
        let &i = self.index.get(&b)?;
        let d = self.idom[i as usize];
        (d != NONE).then(|| self.blocks[d as usize])
    }

    /// Whether `a` dominates `b`. Every block dominates an unreachable block.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        let num = |x: Block| self.index.get(&x).map_or((NONE, NONE), |&i| (self.pre[i as usize], self.post[i as usize]));
        let ((pre_a, post_a), (pre_b, post_b)) = (num(a), num(b));
        if pre_b == NONE {
            return true;
        }
        if pre_a == NONE {
            return false;
        }
        pre_a <= pre_b && post_b <= post_a
    }
}

/// The nearest common dominator of two blocks, by RPO number.
fn intersect(idom: &[u32], mut a: u32, mut b: u32) -> u32 {
    while a != b {
        while a > b {
            a = idom[a as usize];
        }
        while b > a {
            b = idom[b as usize];
        }
    }
    a
}
