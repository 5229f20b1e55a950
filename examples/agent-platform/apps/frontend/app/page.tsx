export default function Home() {
  return (
    <main>
      <h1>Agent platform</h1>
      <p>Submit a task; a worker runs it in the background.</p>
    </main>
  );
}
