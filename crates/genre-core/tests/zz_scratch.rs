#[test]
fn show() {
    for text in ["a,b\n\n1,2\n3,4", "a,b\r\n\r\n1,2\r\n3,4\r\n", "a,b\n1,\"x\ny\"\n\n3,4\n", "a,b\r1,2\r\r3,4\r"] {
        let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut rec = csv::ByteRecord::new();
        let mut out = vec![];
        while r.read_byte_record(&mut rec).unwrap() {
            out.push((rec.position().unwrap().line(), r.position().line(), r.is_done()));
        }
        println!("{text:?}: {out:?}");
    }
}
