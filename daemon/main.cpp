// Placeholder while the CLI is being written (replaced in this change).
int main() { return 1; }
