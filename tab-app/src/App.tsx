export function App() {
  return <p>Fleet</p>;
}
