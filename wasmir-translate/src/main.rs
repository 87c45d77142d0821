fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = wasmir_translate::run(&args, &mut std::io::stdin().lock(), &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    std::process::exit(code);
}
