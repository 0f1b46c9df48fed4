//! Scratch probe (not committed): opens PROBE_URL (hash route) at PROBE_W, runs PROBE_JS files.
use genre_lens_e2e::{dist_dir, with_browser, with_phone, Result, StaticServer};
#[tokio::test]
async fn probe() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let w: u32 = std::env::var("PROBE_W").unwrap_or("1280".into()).parse()?;
    let route = std::env::var("PROBE_URL").unwrap_or_default();
    let js = std::fs::read_to_string(std::env::var("PROBE_JS")?)?;
    let body = async |b: &genre_lens_e2e::Browser| -> Result<()> {
        b.open_page(&format!("{}{route}", server.url())).await?;
        for part in js.split("\n---\n") {
            if let Some(file) = part.strip_prefix("UPLOAD ") {
                let (id, path) = file.trim().split_once(' ').unwrap();
                b.upload(id, std::path::Path::new(path)).await?;
                continue;
            }
            if let Some(ms) = part.strip_prefix("SLEEP ") {
                tokio::time::sleep(std::time::Duration::from_millis(ms.trim().parse()?)).await;
                continue;
            }
            if let Some(name) = part.strip_prefix("SHOT ") {
                b.screenshot_page(&genre_lens_e2e::screenshot_dir().join(name.trim()))
                    .await?;
                continue;
            }
            if let Some(name) = part.strip_prefix("LOOK ") {
                if let Err(e) = b.look(name.trim()).await {
                    println!("{e}");
                }
                continue;
            }
            let v = b.js(part).await?;
            println!("PROBE {v}");
        }
        Ok(())
    };
    if w < 500 {
        with_phone(w, 844, body).await
    } else {
        with_browser(w, 900, body).await
    }
}
