set -e
wget -qO- --post-data 'weblog_title=My+Whalebone+Blog&user_name=learner&admin_password=correct-horse-battery-staple&admin_password2=correct-horse-battery-staple&pw_weak=1&admin_email=learner%40example.org&blog_public=0&language=' 'http://localhost:8000/wp-admin/install.php?step=2' | grep -o 'Success!'
