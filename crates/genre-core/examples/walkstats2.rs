use genre_core::ingest::{read_csv, IngestOptions};
use genre_core::model::{Estimator, TrainedModel};
fn path(t: &genre_core::tree::flat::FlatTree, x: &[f64]) -> u64 {
    let mut i = 0usize;
    let mut l = 0;
    while t.feature[i] != 255 {
        i = t.child[i] as usize + (x[t.feature[i] as usize] > t.threshold[i] as f64) as usize;
        l += 1;
    }
    l
}
fn main() {
    let bytes = std::fs::read("/work/main/public/model.bin").unwrap();
    let model = TrainedModel::from_bytes(&bytes).unwrap();
    let data = read_csv(
        std::fs::File::open("/work/main/data/genres_v2.csv").unwrap(),
        &IngestOptions::for_training(),
    )
    .unwrap();
    let rows: Vec<Vec<f64>> = data
        .tracks
        .iter()
        .take(4096)
        .map(|t| model.features().select(&t.values))
        .collect();
    let Estimator::Trees(e) = &model.estimator else {
        panic!()
    };
    let blocks: Vec<std::ops::Range<usize>> = (0..e.trees.len())
        .step_by(30)
        .map(|s| s..(s + 30).min(e.trees.len()))
        .collect();
    for mode in 0..4 {
        let (mut useful, mut lock) = (0u64, 0u64);
        for rb in rows.chunks(64) {
            let mut order: Vec<usize> = (0..rb.len()).collect();
            let mut prev_len = vec![0u64; rb.len()];
            for blk in &blocks {
                match mode {
                    1 => order.sort_by_key(|&r| prev_len[r]),
                    2 => order.sort_by(|&a, &b| rb[a][0].total_cmp(&rb[b][0])),
                    3 => {
                        // sort by leaf of first tree in block
                        let t = &e.trees[blk.start];
                        order.sort_by_key(|&r| {
                            let mut i = 0usize;
                            while t.feature[i] != 255 {
                                i = t.child[i] as usize
                                    + (rb[r][t.feature[i] as usize] > t.threshold[i] as f64)
                                        as usize;
                            }
                            i
                        });
                    }
                    _ => {}
                }
                prev_len.iter_mut().for_each(|p| *p = 0);
                for ti in blk.clone() {
                    let t = &e.trees[ti];
                    for g in order.chunks(8) {
                        let ls: Vec<u64> = g.iter().map(|&r| path(t, &rb[r])).collect();
                        for (k, &r) in g.iter().enumerate() {
                            prev_len[r] += ls[k];
                        }
                        useful += ls.iter().sum::<u64>();
                        lock += (ls.iter().max().unwrap() + 1) * g.len() as u64;
                    }
                }
            }
        }
        println!(
            "mode {mode}: useful {:.2} lock {:.2}",
            useful as f64 / (rows.len() * e.trees.len()) as f64,
            lock as f64 / (rows.len() * e.trees.len()) as f64
        );
    }
}
