export default function PostsLayout({ children }: { children: React.ReactNode }) {
  return <div className="posts">{children}<aside>Thanks for reading.</aside></div>;
}
