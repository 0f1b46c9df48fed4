#!/bin/sh
# trunk post_build hook (see Trunk.toml): runs on every `trunk build` and `trunk serve` rebuild,
# in the staging folder that becomes dist/.
#  0. The rest of the site (the `app` binary and the other pages' styles) gets hashed names.
#  1. widget.html: index.html marked data-view="widget", so the same first-load wasm/JS (hashed
#     names and integrity attributes included) mounts the embeddable widget instead of Predict;
#     without the site's frame (index.html's #shell).
#  1b. worker_loader.js: the training workers start their wasm with wasm-bindgen's object form.
#  2. sw.js: the service worker gets this build's version (a hash of every shipped file) and the
#     list of files to precache, so each build has its own cache and old ones are deleted.
set -eu
STAGE="${TRUNK_STAGING_DIR:?run by trunk}"
cd "$STAGE"

# 0. The whole site (Batch, Explore, Train, Embed), loaded by boot.js the first time a visitor
#    leaves the Predict page (src/first_load.rs): the `app` binary, which trunk writes unhashed
#    (it is built as a "worker" so that it is neither preloaded nor started), and the other
#    pages' styles, joined into one file. Both get content-hashed names, like trunk's own files,
#    so a browser or the service worker never pairs an old copy with a new build; index.html's
#    boot element is told the names.
site_hash=$(cat app.js app_bg.wasm | sha256sum | cut -c1-16)
mv app.js "app-$site_hash.js"
mv app_bg.wasm "app-${site_hash}_bg.wasm"
site_styles="upload.css train.css explore-batch.css embed.css"
# shellcheck disable=SC2086 # the list is word-split on purpose
css_hash=$(cat $site_styles | sha256sum | cut -c1-16)
# shellcheck disable=SC2086
cat $site_styles > "site-$css_hash.css" && rm $site_styles
sed -i "s#<script type=\"module\" async id=\"genre-lens-boot\"#<script type=\"module\" async id=\"genre-lens-boot\" data-site-js=\"./app-$site_hash.js\" data-site-wasm=\"./app-${site_hash}_bg.wasm\" data-site-css=\"./site-$css_hash.css\"#" index.html
grep -q "data-site-js=\"./app-$site_hash.js\"" index.html || { echo "post-build: could not name the site's files in index.html" >&2; exit 1; }

# 1. The widget page. It does not need a preload of the bundled model: it fetches only the
#    model its `model=` names (forest.bin, a host's URL, a
#    kept model or model.bin), so `model=forest` never downloads model.bin.
#    Its connect-src also allows https: origins (and http: on loopback, for development): a host
#    may name a model file it publishes (model=https://...). The widget narrows this at start to
#    'self' plus that one file's origin, or to 'self' alone without a model URL, by adding a
#    second policy (src/widget/connect.rs); the site's pages keep connect-src 'self'.
sed -e 's/<html lang="en">/<html lang="en" data-view="widget">/' \
    -e 's#<title>Genre Lens</title>#<title>Genre Lens widget</title>#' \
    -e '/href="model.bin"/d' \
    -e "s#connect-src 'self';#connect-src 'self' https: http://localhost:* http://127.0.0.1:*;#" \
    -e '/<div id="shell">/,/<!-- \/shell -->/c\  <noscript><p class="noscript">Genre Lens runs its model in your browser and needs JavaScript and WebAssembly.</p></noscript>' \
    index.html > widget.html
grep -q 'data-view="widget"' widget.html || { echo "post-build: could not mark widget.html" >&2; exit 1; }
! grep -q 'href="model.bin"' widget.html || { echo "post-build: could not drop widget.html's model preload" >&2; exit 1; }
grep -q "connect-src 'self' https:" widget.html || { echo "post-build: could not widen widget.html's connect-src" >&2; exit 1; }
! grep -q 'id="shell"' widget.html || { echo "post-build: could not drop the site's frame from widget.html" >&2; exit 1; }

# 1b. The training workers' loader: trunk's shim starts the wasm with a bare URL,
#    `wasm_bindgen("./worker_bg.wasm")`, which wasm-bindgen reports in every worker's console as
#    "using deprecated parameters for the initialization function"; pass its object instead.
sed -i 's#wasm_bindgen("\(\./[^"]*\)");#wasm_bindgen({ module_or_path: "\1" });#' worker_loader.js
grep -q 'wasm_bindgen({ module_or_path: "./worker_bg.wasm" });' worker_loader.js || { echo "post-build: could not update worker_loader.js" >&2; exit 1; }

# 2. The service worker. Precache the app shell, code, styles, model and summaries; not the
#    Train page's 10 MB data set (data/) nor the bundled forest (forest.bin, ~0.8 MB: fetched
#    only when a visitor chooses it, so a first visit does not pay for it), which are cached
#    when first used. The version covers forest.bin too: a new forest means a new cache.
files=$(find . -type f ! -name sw.js ! -path './data/*' ! -path './.stage/*' | sed 's#^\./##' | LC_ALL=C sort)
version=$(for f in $files; do sha256sum "$f"; done | sha256sum | cut -c1-16)
list=$(for f in $files; do [ "$f" = forest.bin ] || printf '"%s",' "$f"; done)
sed -i -e "s#__BUILD_VERSION__#$version#" \
       -e "s#\"__PRECACHE__\"#\"./\",$list#" sw.js
grep -q "$version" sw.js || { echo "post-build: could not stamp sw.js" >&2; exit 1; }
